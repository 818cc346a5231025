package io.sluice.topology.spec;

/**
 * The steps records of one source go through, and where they go after.
 *
 * @param name unique name
 * @param from the source it reads
 */
public record Pipeline(String name, String from) {}
