package io.sluice.inference.generate.internal;

/** Where the batcher gets the state of a shared prefix (normally the prefix cache). */
@FunctionalInterface
public interface PrefixSource {

  CachedPrefix prefix(int[] ids);
}
