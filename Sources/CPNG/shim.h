#ifndef FERKIT_CPNG_SHIM_H
#define FERKIT_CPNG_SHIM_H
#include <png.h>
#endif
