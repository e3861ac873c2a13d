package cloud.openclaw.sandbox.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for localhost and 127.0.0.1 made by the JDK's keytool, for a stand-in
 * served over HTTPS: {@link #serverContext()} for the server, {@link #caFile()} (PEM) for a client
 * such as pgBackRest ({@code repo1-storage-ca-file}), {@link #clientContext()} for a Java client.
 *
 * @param keyStore the PKCS12 key store with the key and certificate
 * @param caFile the certificate, PEM: the one certificate authority a client needs to trust
 */
public record SelfSignedTls(Path keyStore, Path caFile) {
  private static final char[] PASSWORD = "sandbox".toCharArray();

  /** Makes the key and certificate in {@code dir} (keytool, a few hundred milliseconds). */
  public static SelfSignedTls create(Path dir) throws IOException, InterruptedException {
    Path keyStore = dir.resolve("s3-stand-in.p12");
    Path caFile = dir.resolve("s3-stand-in-ca.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String password = new String(PASSWORD);
    run(
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "s3",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-validity",
            "7",
            "-dname",
            "CN=localhost",
            "-ext",
            "san=dns:localhost,ip:127.0.0.1",
            "-ext",
            "bc:c",
            "-keystore",
            keyStore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            password,
            "-keypass",
            password));
    run(
        List.of(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "s3",
            "-keystore",
            keyStore.toString(),
            "-storepass",
            password,
            "-file",
            caFile.toString()));
    return new SelfSignedTls(keyStore, caFile);
  }

  /** The server's side: the key and its certificate. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(), PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot load " + keyStore, e);
    }
  }

  /** A client's side that trusts this certificate only. */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot load " + keyStore, e);
    }
  }

  private KeyStore load() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(
          String.join(" ", command.subList(0, 2)) + " failed: " + new String(output));
    }
  }
}
