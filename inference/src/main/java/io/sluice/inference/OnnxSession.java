package io.sluice.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sluice.inference.internal.LargeStack;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Our wrapper over ONNX Runtime's {@link OrtSession}. ONNX Runtime throws a checked
 * {@link OrtException} from nearly every call and its {@code close()} throws when called twice;
 * this type turns errors into {@link InferenceException}s that name the model and the shapes of
 * the inputs, and makes {@link #close()} idempotent and safe from any thread.
 *
 * <p>Sessions are thread-safe for {@link #run} (ONNX Runtime allows concurrent runs on one
 * session); the caller owns and closes the returned {@link OrtSession.Result}.
 */
public final class OnnxSession implements AutoCloseable {

  private final String modelName;
  private final OrtSession session;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OnnxSession(String modelName, OrtSession session) {
    this.modelName = modelName;
    this.session = session;
  }

  /** Opens {@code modelFile} with the given thread settings. */
  public static OnnxSession open(String modelName, Path modelFile, SessionSettings settings) {
    try {
      return new OnnxSession(modelName,
          environment().createSession(modelFile.toString(), options(settings)));
    } catch (OrtException e) {
      throw new InferenceException(
          "Cannot load model '" + modelName + "' from " + modelFile + ": " + e.getMessage(), e);
    }
  }

  /** Opens a model held in memory (for example read from the classpath). */
  public static OnnxSession open(String modelName, byte[] modelBytes, SessionSettings settings) {
    try {
      return new OnnxSession(modelName,
          environment().createSession(modelBytes, options(settings)));
    } catch (OrtException e) {
      throw new InferenceException(
          "Cannot load model '" + modelName + "' (" + modelBytes.length + " bytes): "
              + e.getMessage(), e);
    }
  }

  private static volatile OrtEnvironment environment;

  /**
   * The process-wide ONNX Runtime environment, for creating tensors. Created on a thread with a
   * large stack: ONNX Runtime's start-up can overflow a default Java thread stack and crash the
   * JVM when the command line is long (see {@link LargeStack}).
   */
  public static OrtEnvironment environment() {
    OrtEnvironment current = environment;
    if (current == null) {
      synchronized (OnnxSession.class) {
        if (environment == null) {
          try {
            environment = LargeStack.call("sluice-onnxruntime-init",
                OrtEnvironment::getEnvironment);
          } catch (Exception e) {
            throw new InferenceException("Cannot start ONNX Runtime: " + e.getMessage(), e);
          }
        }
        current = environment;
      }
    }
    return current;
  }

  public String modelName() {
    return modelName;
  }

  public Set<String> inputNames() {
    return session.getInputNames();
  }

  public Set<String> outputNames() {
    return session.getOutputNames();
  }

  public Map<String, NodeInfo> inputInfo() {
    try {
      return session.getInputInfo();
    } catch (OrtException e) {
      throw new InferenceException("Cannot read the inputs of model '" + modelName + "'", e);
    }
  }

  public Map<String, NodeInfo> outputInfo() {
    try {
      return session.getOutputInfo();
    } catch (OrtException e) {
      throw new InferenceException("Cannot read the outputs of model '" + modelName + "'", e);
    }
  }

  /** Runs the model; the caller closes the result (and still owns the input tensors). */
  public OrtSession.Result run(Map<String, ? extends OnnxTensor> inputs) {
    if (closed.get()) {
      throw new InferenceException("Model '" + modelName + "' is closed");
    }
    try {
      return session.run(inputs);
    } catch (OrtException | RuntimeException e) {
      throw new InferenceException(
          "Model '" + modelName + "' failed on inputs " + describe(inputs) + ": " + e.getMessage(),
          e);
    }
  }

  /** Runs the model and returns only the named outputs. */
  public OrtSession.Result run(Map<String, ? extends OnnxTensor> inputs, Set<String> outputs) {
    if (closed.get()) {
      throw new InferenceException("Model '" + modelName + "' is closed");
    }
    try {
      return session.run(inputs, outputs);
    } catch (OrtException | RuntimeException e) {
      throw new InferenceException(
          "Model '" + modelName + "' failed on inputs " + describe(inputs) + " (outputs "
              + outputs + "): " + e.getMessage(), e);
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Releases the native session; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        session.close();
      } catch (OrtException e) {
        throw new InferenceException("Cannot close model '" + modelName + "'", e);
      }
    }
  }

  private static String describe(Map<String, ? extends OnnxTensor> inputs) {
    return inputs.entrySet().stream()
        .map(e -> e.getKey() + Arrays.toString(e.getValue().getInfo().getShape()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static OrtSession.SessionOptions options(SessionSettings settings) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(settings.intraOpThreads());
    options.setInterOpNumThreads(settings.interOpThreads());
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    // Spinning threads burn a core while idle and compete with Kafka on a 2-core gateway.
    String spin = settings.spinning() ? "1" : "0";
    options.addConfigEntry("session.intra_op.allow_spinning", spin);
    options.addConfigEntry("session.inter_op.allow_spinning", spin);
    return options;
  }
}
