package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate for {@code localhost} made with openssl, as an
 * operator would, in a directory of their own; trust and key stores as Java and Kafka read them.
 *
 * @param dir the directory: {@code ca.pem}, {@code server.pem}, {@code server.key}
 * @param storePassword the password of the PKCS12 stores made here
 */
record TestCertificates(Path dir, String storePassword) {

  /** Makes the CA and the server certificate (SAN localhost and 127.0.0.1) in {@code dir}. */
  static TestCertificates make(Path dir) throws Exception {
    Files.createDirectories(dir);
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=janus test CA");
    run(
        dir,
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost");
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(
        dir,
        "openssl",
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
    return new TestCertificates(dir, HexFormat.of().formatHex(new SecureRandom().generateSeed(8)));
  }

  Path ca() {
    return dir.resolve("ca.pem");
  }

  Path certificate() {
    return dir.resolve("server.pem");
  }

  Path key() {
    return dir.resolve("server.key");
  }

  /** A PKCS12 trust store holding the CA (keytool), password {@link #storePassword()}. */
  Path trustStore() throws Exception {
    Path store = dir.resolve("trust.p12");
    if (!Files.exists(store))
      run(
          dir,
          Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-importcert",
          "-noprompt",
          "-alias",
          "janus-ca",
          "-file",
          "ca.pem",
          "-keystore",
          store.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          storePassword);
    return store;
  }

  /** A PKCS12 key store of the server's key and certificate, password {@link #storePassword()}. */
  Path keyStore() throws Exception {
    Path store = dir.resolve("server.p12");
    if (!Files.exists(store))
      run(
          dir,
          "openssl",
          "pkcs12",
          "-export",
          "-in",
          "server.pem",
          "-inkey",
          "server.key",
          "-name",
          "server",
          "-out",
          store.toString(),
          "-passout",
          "pass:" + storePassword);
    return store;
  }

  /**
   * Runs {@code cmd} in {@code dir}, its output appended to {@code dir/setup.log}; must succeed.
   */
  static void run(Path dir, String... cmd) throws Exception {
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("setup.log").toFile()))
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as(String.join(" ", cmd) + "\n" + Files.readString(dir.resolve("setup.log")))
        .isZero();
  }
}
