package io.sluice.connectors.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics a topology needs, on any Kafka cluster, leaving existing ones alone. */
public final class TopicAdmin {

  private TopicAdmin() {}

  /**
   * Ensures each topic exists.
   *
   * @param configsByTopic topic configs (for example {@code cleanup.policy=compact}) for new topics
   */
  public static void ensureTopics(String bootstrapServers, Map<String, Integer> partitionsByTopic,
      Map<String, Map<String, String>> configsByTopic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      partitionsByTopic.forEach((topic, partitions) -> {
        if (!existing.contains(topic)) {
          // Replication follows the cluster's default.replication.factor.
          NewTopic t = new NewTopic(topic, Optional.of(partitions), Optional.empty());
          t.configs(configsByTopic.getOrDefault(topic, Map.of()));
          missing.add(t);
        }
      });
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create topics " + partitionsByTopic.keySet()
          + " on Kafka at " + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}
