// annotations.h: clang thread-safety annotations (no-ops on other compilers).
//
// Put TASKMILL_GUARDED_BY(mu_) on fields a mutex protects; clang's
// -Wthread-safety then checks every access.
#pragma once

#if defined(__clang__)
#define TASKMILL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TASKMILL_THREAD_ANNOTATION(x)
#endif

#define TASKMILL_GUARDED_BY(x) TASKMILL_THREAD_ANNOTATION(guarded_by(x))
#define TASKMILL_PT_GUARDED_BY(x) TASKMILL_THREAD_ANNOTATION(pt_guarded_by(x))
#define TASKMILL_REQUIRES(...) TASKMILL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TASKMILL_EXCLUDES(...) TASKMILL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
