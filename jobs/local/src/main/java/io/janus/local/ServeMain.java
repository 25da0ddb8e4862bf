package io.janus.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The feature server as a container's entry point: {@code java -cp janus-local.jar:lib/*
 * io.janus.local.ServeMain [janus serve options]}. The same server as {@code janus serve}; the port
 * defaults to {@code $PORT} when that is set (as container platforms set it), and the process exits
 * with the command's code.
 */
public final class ServeMain {
  private ServeMain() {}

  /** Runs {@code janus serve} with {@code args}. */
  public static void main(String[] args) {
    List<String> all = new ArrayList<>(List.of("serve"));
    String port = System.getenv("PORT");
    if (port != null && !Arrays.asList(args).contains("--port"))
      all.addAll(List.of("--port", port));
    all.addAll(Arrays.asList(args));
    System.exit(LocalJanus.run(all.toArray(String[]::new)));
  }
}
