package io.janus.jobs.cli;

import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.RegisterVersion;
import io.janus.registry.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus train}: a classifier on a training set, exported to ONNX and registered. */
@Command(
    name = "train",
    description =
        "Train a binary classifier (Tribuo logistic regression) on a training set, export it to"
            + " ONNX and register it as a new version of MODEL.")
public final class TrainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--training-set",
      required = true,
      paramLabel = "NAME",
      description = "Training set (training.<NAME>).")
  String trainingSet;

  @Option(
      names = "--label",
      required = true,
      paramLabel = "COLUMN",
      description = "Label column (two distinct values).")
  String label;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL",
      description = "Model name to register under.")
  String model;

  @Option(
      names = "--epochs",
      defaultValue = "20",
      description = "Passes over the rows (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--output", paramLabel = "FILE", description = "Also keep the ONNX file here.")
  Path output;

  @Mixin RegistryCommand.BumpOptions bump;

  @Option(names = "--json", description = "Print the registered version as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var warehouse = common.warehouse();
    Trainer.Trained trained = Trainer.of(warehouse, trainingSet, label).withEpochs(epochs).train();
    if (output != null) Files.write(output, trained.onnx());
    RegisterVersion register =
        ModelRegistry.open(warehouse)
            .register(model)
            .artifact(trained.onnx(), ".onnx")
            .trainingSet(trainingSet)
            .bump(bump.bump())
            .withWorkingDir(Path.of(""));
    trained.metrics().forEach(register::metric);
    trained.params().forEach(register::param);
    ModelVersion v = register.register();
    if (json) {
      System.out.println(Json.line(v));
    } else {
      System.out.printf(
          "trained %s on training set %s (%.0f rows, %d features); registered %s%n",
          model,
          trainingSet,
          trained.metrics().getOrDefault("train_rows", 0.0),
          trained.signature().inputs().size(),
          v.ref());
      for (Map.Entry<String, Double> m : v.metrics().entrySet())
        System.out.printf("  %-16s %s%n", m.getKey(), fmt(m.getValue()));
      System.out.printf("  artifact         %s%n  sha256           %s%n", v.artifact(), v.sha256());
      if (output != null) System.out.printf("  onnx file        %s%n", output.toAbsolutePath());
    }
    return 0;
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format("%.4f", v);
  }
}
