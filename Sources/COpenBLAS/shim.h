#ifndef FERKIT_COPENBLAS_SHIM_H
#define FERKIT_COPENBLAS_SHIM_H
#include <cblas.h>

/* OpenBLAS extensions that cblas.h of 0.3.21 does not always declare. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
#endif
