#ifndef QUORUM_CPREFETCH_H
#define QUORUM_CPREFETCH_H

/// Asks the processor to bring the cache line at `address` closer, without waiting for it and
/// without faulting: Swift has no prefetch of its own. The explorer asks for a successor's slot
/// in the visited table one successor before it reads the slot.
static inline void quorum_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
