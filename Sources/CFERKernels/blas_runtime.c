// Corrects OpenBLAS's run-time kernel selection at load time.
//
// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs (Intel family 6
// model 0xCF, AMD family 0x1A) and silently falls back to older kernels
// (Prescott or Haswell), at half to a fifth of the sgemm rate. OpenBLAS
// exports gotoblas_dynamic_quit/init, which re-run the selection after
// OPENBLAS_CORETYPE is set; this file does that once, before main().
#include "fer_blas_runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char *openblas_get_corename(void);
extern void openblas_set_num_threads(int);
extern void gotoblas_dynamic_init(void);
extern void gotoblas_dynamic_quit(void);

int fer_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}

long fer_cpu_l2_cache_bytes(void) {
#ifdef _SC_LEVEL2_CACHE_SIZE
    const long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (bytes > 0) return bytes;
#endif
    return 1L << 20;
}

int fer_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int core_is_any_of(const char *core, const char *const *names) {
    for (; *names; ++names)
        if (strcasecmp(core, *names) == 0) return 1;
    return 0;
}

static const char *const avx512_cores[] = {"SkylakeX", "Cooperlake", "SapphireRapids", 0};
static const char *const avx2_cores[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", 0};

static fer_blas_kernel_report report;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char detected[64];
static char environment[64];

static void configure(void) {
    const char *core = openblas_get_corename();
    strncpy(detected, core ? core : "unknown", sizeof detected - 1);
    report.detected_core = detected;
    const char *from_environment = getenv("OPENBLAS_CORETYPE");
    if (from_environment) {
        strncpy(environment, from_environment, sizeof environment - 1);
        report.environment_core = environment;
    }
    const char *keep = getenv("FERKIT_KEEP_OPENBLAS_CORETYPE");
    report.kept_environment_core = from_environment && keep && *keep && strcmp(keep, "0") != 0;

    const char *wanted = NULL;
    if (!report.kept_environment_core) {
        if (fer_cpu_has_avx512() && !core_is_any_of(detected, avx512_cores))
            wanted = "SkylakeX";
        else if (!fer_cpu_has_avx512() && fer_cpu_has_avx2_fma() && !core_is_any_of(detected, avx2_cores))
            wanted = "Haswell";
    }
    if (wanted) {
        setenv("OPENBLAS_CORETYPE", wanted, 1);
        gotoblas_dynamic_quit();
        gotoblas_dynamic_init();
        report.corrected = 1;
    }
    openblas_set_num_threads(1);
    report.active_core = openblas_get_corename();
}

fer_blas_kernel_report fer_blas_ensure_configured(void) {
    pthread_once(&once, configure);
    return report;
}

__attribute__((constructor)) static void fer_blas_configure_at_load(void) {
    fer_blas_ensure_configured();
}
