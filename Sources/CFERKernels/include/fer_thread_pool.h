#ifndef FER_THREAD_POOL_H
#define FER_THREAD_POOL_H

/// One task of a parallel loop: `index` is in 0 ..< count.
typedef void (*fer_parallel_task)(void *context, long index);

/// Runs task(context, i) for every i in 0 ..< count on the calling thread
/// and up to `threads - 1` pool workers, and returns when all have run.
///
/// The workers are persistent threads that spin for a short while after
/// each loop before they sleep, so that back-to-back loops (the kernels of
/// one training step) do not pay a thread wake-up each: on a virtual
/// machine that wake-up costs tens of microseconds. Loops started from a
/// task, or while another thread's loop holds the pool, run on the calling
/// thread alone.
void fer_parallel_for(long count, long threads, fer_parallel_task task, void *context);

#endif
