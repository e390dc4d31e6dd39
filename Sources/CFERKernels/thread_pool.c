// FERKit's worker pool: persistent threads that claim the indices of one
// parallel loop at a time, spinning briefly between loops (as OpenMP
// runtimes do) instead of sleeping at once.
//
// A loop is published as a new `job` word: its generation in the high 32
// bits and the next unclaimed index in the low 32. A thread claims an index
// by compare-and-swap on that word, so a worker that wakes late, after its
// loop ended, can never claim an index of the next loop with the old
// loop's task: the generation no longer matches. The caller returns once
// `finished` reaches the loop's count.
#include "fer_thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void relax(void) { _mm_pause(); }
#else
static inline void relax(void) {}
#endif

enum {
    MAX_WORKERS = 255,
    INDEX_BITS = 32,
};

/* How long an idle worker spins for the next loop before it sleeps, when
   every thread of a loop can have a processor to itself; with more threads
   than online processors, spinning would take time from the threads that
   have work, so workers sleep at once and waiting callers yield. */
static const long SPIN_NANOSECONDS = 1000000;

static struct {
    pthread_mutex_t caller;           /* held by the thread whose loop runs */
    pthread_mutex_t sleep_lock;       /* guards sleeping workers' waits */
    pthread_cond_t wake;
    _Atomic uint64_t job;             /* generation << 32 | next index */
    _Atomic long finished;            /* indices of the current loop done */
    _Atomic long sleepers;            /* workers waiting on `wake` */
    /* The current loop, set before its generation is published. A worker
       that read a stale generation may read these while the next loop
       sets them (its claim then fails): hence relaxed atomics. */
    _Atomic long participants;        /* workers that take part */
    _Atomic long count;
    _Atomic(fer_parallel_task) task;
    _Atomic(void *) context;
    long started;                     /* workers created so far (under `caller`) */
    _Atomic int oversubscribed;       /* more threads than online processors */
} pool = {
    .caller = PTHREAD_MUTEX_INITIALIZER,
    .sleep_lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
};

/* Set on pool workers, and on a caller while its loop runs: nested loops run inline. */
static _Thread_local int inside_loop;

static long nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000000000L + now.tv_nsec;
}

static inline uint32_t generation_of(uint64_t job) { return (uint32_t)(job >> INDEX_BITS); }

/* Claims and runs indices of the loop of `generation` until none is left. */
static void run_claims(uint32_t generation) {
    uint64_t job = atomic_load_explicit(&pool.job, memory_order_acquire);
    for (;;) {
        if (generation_of(job) != generation) return;
        const long index = (long)(job & 0xFFFFFFFFu);
        if (index >= atomic_load_explicit(&pool.count, memory_order_relaxed)) return;
        if (!atomic_compare_exchange_weak_explicit(&pool.job, &job, job + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        const fer_parallel_task task = atomic_load_explicit(&pool.task, memory_order_relaxed);
        task(atomic_load_explicit(&pool.context, memory_order_relaxed), index);
        atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
        job = atomic_load_explicit(&pool.job, memory_order_acquire);
    }
}

/* Waits until the pool's generation differs from `seen`: spins, then sleeps. */
static uint32_t await_next_loop(uint32_t seen) {
    const int oversubscribed = atomic_load_explicit(&pool.oversubscribed, memory_order_relaxed);
    const long spin_end = nanoseconds() + (oversubscribed ? 0 : SPIN_NANOSECONDS);
    for (long spins = 1;; ++spins) {
        const uint32_t generation = generation_of(atomic_load_explicit(&pool.job, memory_order_acquire));
        if (generation != seen) return generation;
        if (spins % 64 != 0 || nanoseconds() < spin_end) {
            relax();
            continue;
        }
        pthread_mutex_lock(&pool.sleep_lock);
        atomic_fetch_add(&pool.sleepers, 1);
        while (generation_of(atomic_load(&pool.job)) == seen) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
        atomic_fetch_sub(&pool.sleepers, 1);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
}

static void *worker_main(void *argument) {
    const long worker = (long)(intptr_t)argument;
    inside_loop = 1;
    uint32_t seen = 0;
    for (;;) {
        seen = await_next_loop(seen);
        if (worker < atomic_load_explicit(&pool.participants, memory_order_relaxed)) run_claims(seen);
    }
    return NULL;
}

/* Creates workers up to `wanted` (under `caller`); returns how many exist. */
static long ensure_workers(long wanted) {
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    if (pool.started >= wanted) return wanted;
    while (pool.started < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        const int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)pool.started);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        pool.started += 1;
    }
    const long processors = sysconf(_SC_NPROCESSORS_ONLN);
    const int oversubscribed = processors > 0 && pool.started + 1 > processors;
    atomic_store_explicit(&pool.oversubscribed, oversubscribed, memory_order_relaxed);
    return pool.started < wanted ? pool.started : wanted;
}

static void run_inline(long count, fer_parallel_task task, void *context) {
    const int was_inside = inside_loop;
    inside_loop = 1;
    for (long index = 0; index < count; ++index) task(context, index);
    inside_loop = was_inside;
}

void fer_parallel_for(long count, long threads, fer_parallel_task task, void *context) {
    if (count <= 0) return;
    if (count == 1 || threads <= 1 || count >= (1L << INDEX_BITS) || inside_loop ||
        pthread_mutex_trylock(&pool.caller) != 0) {
        run_inline(count, task, context);
        return;
    }
    const long wanted = (threads < count ? threads : count) - 1;
    const long workers = ensure_workers(wanted);
    if (workers == 0) {
        pthread_mutex_unlock(&pool.caller);
        run_inline(count, task, context);
        return;
    }
    atomic_store_explicit(&pool.participants, workers, memory_order_relaxed);
    atomic_store_explicit(&pool.count, count, memory_order_relaxed);
    atomic_store_explicit(&pool.task, task, memory_order_relaxed);
    atomic_store_explicit(&pool.context, context, memory_order_relaxed);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    const uint32_t generation = generation_of(atomic_load(&pool.job)) + 1;
    atomic_store(&pool.job, (uint64_t)generation << INDEX_BITS); /* publishes the fields above */
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.sleep_lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
    inside_loop = 1;
    run_claims(generation);
    inside_loop = 0;
    for (long spins = 1; atomic_load_explicit(&pool.finished, memory_order_acquire) < count; ++spins) {
        if (spins % 4096 == 0 || atomic_load_explicit(&pool.oversubscribed, memory_order_relaxed))
            sched_yield(); /* a worker holding an index may share this processor */
        else relax();
    }
    pthread_mutex_unlock(&pool.caller);
}
