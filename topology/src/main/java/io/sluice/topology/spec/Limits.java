package io.sluice.topology.spec;

/**
 * Guards against bad input.
 *
 * @param maxPayloadBytes payloads larger than this go to the dead-letter topic as OVERSIZED
 */
public record Limits(long maxPayloadBytes) {}
