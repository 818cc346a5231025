package io.sluice.runtime.sources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.api.DataItem;
import org.eclipse.milo.opcua.sdk.server.api.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.api.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.api.config.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.Identifiers;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.DefaultTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.server.EndpointConfiguration;
import org.eclipse.milo.opcua.stack.server.security.DefaultServerCertificateValidator;

/**
 * A real OPC UA server for tests, built on Eclipse Milo's server SDK: an object {@code Press4}
 * in the Objects folder with the Double variables {@code Temperature}
 * ({@code ns=2;s=Press4.Temperature}) and {@code Pressure}, whose values the test sets.
 * Endpoint {@code opc.tcp://127.0.0.1:<port>/plant}, security None, anonymous.
 */
final class PlantOpcUaServer implements AutoCloseable {

  static final String URI = "urn:sluice:test:plant";

  private final OpcUaServer server;
  private final PlantNamespace namespace;
  private final int port;

  PlantOpcUaServer(int port, Path pki) throws Exception {
    this.port = port;
    Files.createDirectories(pki);
    DefaultTrustListManager trust = new DefaultTrustListManager(pki.toFile());
    OpcUaServerConfig config = OpcUaServerConfig.builder()
        .setApplicationUri("urn:sluice:test:plant-server")
        .setApplicationName(LocalizedText.english("Plant test server"))
        .setProductUri("urn:sluice:test")
        .setBuildInfo(new BuildInfo("urn:sluice:test", "sluice", "plant test server", "1", "1",
            org.eclipse.milo.opcua.stack.core.types.builtin.DateTime.now()))
        .setEndpoints(Set.of(EndpointConfiguration.newBuilder()
            .setBindAddress("127.0.0.1").setHostname("127.0.0.1").setBindPort(port)
            .setPath("/plant").setSecurityPolicy(SecurityPolicy.None)
            .setSecurityMode(MessageSecurityMode.None)
            .addTokenPolicy(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS).build()))
        .setCertificateManager(new DefaultCertificateManager())
        .setTrustListManager(trust)
        .setCertificateValidator(new DefaultServerCertificateValidator(trust))
        .setIdentityValidator(AnonymousIdentityValidator.INSTANCE)
        .build();
    server = new OpcUaServer(config);
    namespace = new PlantNamespace(server);
    namespace.startup();
    server.startup().get(30, TimeUnit.SECONDS);
  }

  String endpoint() {
    return "opc.tcp://127.0.0.1:" + port + "/plant";
  }

  void temperature(double value) {
    namespace.temperature.setValue(new DataValue(new Variant(value)));
  }

  /** A value with a Bad status, as a server reports a failed sensor. */
  void temperatureFailed() {
    namespace.temperature.setValue(new DataValue(new Variant(null),
        new StatusCode(org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_SensorFailure)));
  }

  void pressure(double value) {
    namespace.pressure.setValue(new DataValue(new Variant(value)));
  }

  @Override
  public void close() throws Exception {
    server.shutdown().get(30, TimeUnit.SECONDS);
    namespace.shutdown();
  }

  private static final class PlantNamespace extends ManagedNamespaceWithLifecycle {
    private final SubscriptionModel subscriptions;
    UaVariableNode temperature;
    UaVariableNode pressure;

    PlantNamespace(OpcUaServer server) {
      super(server, URI);
      subscriptions = new SubscriptionModel(server, this);
      getLifecycleManager().addLifecycle(subscriptions);
      getLifecycleManager().addStartupTask(this::build);
    }

    private void build() {
      UaFolderNode press = new UaFolderNode(getNodeContext(), newNodeId("Press4"),
          newQualifiedName("Press4"), LocalizedText.english("Press4"));
      getNodeManager().addNode(press);
      press.addReference(new org.eclipse.milo.opcua.sdk.core.Reference(press.getNodeId(),
          Identifiers.Organizes, Identifiers.ObjectsFolder.expanded(), false));
      temperature = variable(press, "Temperature", 20.0);
      pressure = variable(press, "Pressure", 1.0);
    }

    private UaVariableNode variable(UaFolderNode parent, String name, double initial) {
      UaVariableNode node = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
          .setNodeId(newNodeId("Press4." + name))
          .setBrowseName(newQualifiedName(name))
          .setDisplayName(LocalizedText.english(name))
          .setDataType(Identifiers.Double)
          .setTypeDefinition(Identifiers.BaseDataVariableType)
          .setMinimumSamplingInterval(10.0)
          .build();
      node.setValue(new DataValue(new Variant(initial)));
      getNodeManager().addNode(node);
      parent.addOrganizes(node);
      return node;
    }

    @Override
    public void onDataItemsCreated(List<DataItem> items) {
      subscriptions.onDataItemsCreated(items);
    }

    @Override
    public void onDataItemsModified(List<DataItem> items) {
      subscriptions.onDataItemsModified(items);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> items) {
      subscriptions.onDataItemsDeleted(items);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> items) {
      subscriptions.onMonitoringModeChanged(items);
    }
  }
}
