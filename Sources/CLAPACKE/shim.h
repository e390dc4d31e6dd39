#ifndef FERKIT_CLAPACKE_SHIM_H
#define FERKIT_CLAPACKE_SHIM_H
#include <lapacke.h>
#endif
