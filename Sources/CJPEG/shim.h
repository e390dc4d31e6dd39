#ifndef FERKIT_CJPEG_SHIM_H
#define FERKIT_CJPEG_SHIM_H
#include <stdio.h>
#include <jpeglib.h>
#endif
