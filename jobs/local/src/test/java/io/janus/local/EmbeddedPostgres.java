package io.janus.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, which {@code .ci/run} installs)
 * started by a test in a directory of its own, on a free port of 127.0.0.1, with a generated
 * password, and a database {@code janus}. PostgreSQL refuses to run as root: as root the server
 * runs as {@code nobody}.
 */
final class EmbeddedPostgres implements AutoCloseable {
  static final String USER = "janus";
  static final String DATABASE = "janus";

  private final Process server;
  private final int port;
  private final String password;

  private EmbeddedPostgres(Process server, int port, String password) {
    this.server = server;
    this.port = port;
    this.password = password;
  }

  /** The directory of initdb and postgres: the newest /usr/lib/postgresql/N/bin, or null. */
  static Path binaries() {
    Path lib = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(lib)) return null;
    try (Stream<Path> versions = Files.list(lib)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max((a, b) -> versionOf(a) - versionOf(b))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static int versionOf(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Initializes a cluster in {@code dir}/pg and starts it; returns once {@code janus} exists. */
  static EmbeddedPostgres start(Path dir) throws Exception {
    Path bin = binaries();
    if (bin == null) {
      throw new IllegalStateException(
          "PostgreSQL is not installed (/usr/lib/postgresql/N/bin/initdb): apt-get install postgresql");
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    Path pg = Files.createDirectories(dir.resolve("pg"));
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    Path pwfile = Files.writeString(pg.resolve("pwfile"), password + "\n");
    if (root) {
      // The server's user must reach its directory: traverse (not list) the test's directory.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(pg, users.lookupPrincipalByName("nobody"));
      Files.setOwner(pwfile, users.lookupPrincipalByName("nobody"));
    }
    Path log = pg.resolve("postgres.log");
    run(
        root,
        log,
        bin.resolve("initdb").toString(),
        "-D",
        pg.resolve("data").toString(),
        "-U",
        USER,
        "--auth=scram-sha-256",
        "--pwfile=" + pwfile,
        "-E",
        "UTF8",
        "--no-sync",
        "--no-instructions");
    Files.delete(pwfile);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process server =
        process(
                root,
                log,
                bin.resolve("postgres").toString(),
                "-D",
                pg.resolve("data").toString(),
                "-p",
                Integer.toString(port),
                "-k",
                pg.toString(),
                "-c",
                "listen_addresses=127.0.0.1")
            .start();
    EmbeddedPostgres p = new EmbeddedPostgres(server, port, password);
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try (Connection c = p.connect("postgres");
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + DATABASE);
        return p;
      } catch (SQLException notYet) {
        if (!server.isAlive() || System.currentTimeMillis() > deadline) {
          p.close();
          throw new IllegalStateException(
              "PostgreSQL did not start: " + Files.readString(log), notYet);
        }
        Thread.sleep(200);
      }
    }
  }

  private static ProcessBuilder process(boolean root, Path log, String... cmd) {
    List<String> all = new ArrayList<>();
    if (root) all.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    all.addAll(List.of(cmd));
    return new ProcessBuilder(all)
        .directory(log.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  private static void run(boolean root, Path log, String... cmd) throws Exception {
    Process p = process(root, log, cmd).start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(cmd[0] + " failed: " + Files.readString(log));
    }
  }

  /** The JDBC URL of database {@code janus}. */
  String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  String password() {
    return password;
  }

  /** A connection to {@code database} as {@link #USER}. */
  Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", USER);
    props.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /** Fast shutdown (SIGINT): open connections are closed, the server stops at once. */
  @Override
  public void close() throws Exception {
    if (server.isAlive()) {
      new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
      if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
    }
  }
}
