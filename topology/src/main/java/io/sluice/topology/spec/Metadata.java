package io.sluice.topology.spec;

/**
 * Who this topology is.
 *
 * @param name the gateway or cloud name; also the Kafka Streams application id
 * @param site where it runs, free text
 * @param namespace prefix of every Kafka topic this topology uses
 */
public record Metadata(String name, String site, String namespace) {}
