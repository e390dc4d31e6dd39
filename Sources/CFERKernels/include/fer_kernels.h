#ifndef FER_KERNELS_H
#define FER_KERNELS_H
#include "fer_blas_runtime.h"
#endif
