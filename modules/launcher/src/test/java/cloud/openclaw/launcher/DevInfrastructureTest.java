package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevInfrastructureTest {

  @Test
  void devKeyIsGeneratedOnceThenReused(@TempDir Path home) throws Exception {
    Path file = home.resolve("dev").resolve("crypto.key");

    String first = DevInfrastructure.devKey(file);
    String second = DevInfrastructure.devKey(file);

    assertThat(Base64.getDecoder().decode(first)).hasSize(32);
    assertThat(second).isEqualTo(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void theSessionKeyIsGeneratedOnceSoSessionsOutliveARestart(@TempDir Path home) throws Exception {
    Path file = home.resolve("jwt.key");

    String first = DevInfrastructure.devSigningKey(file);

    assertThat(DevInfrastructure.devSigningKey(file)).isEqualTo(first);
    java.security.interfaces.RSAPrivateKey key =
        (java.security.interfaces.RSAPrivateKey)
            java.security.KeyFactory.getInstance("RSA")
                .generatePrivate(
                    new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(first)));
    assertThat(key.getModulus().bitLength()).isGreaterThanOrEqualTo(2048);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void printedUrlsCarryNoPassword() {
    assertThat(DevInfrastructure.withoutSecrets("redis://:s3cret@cache:6379/2"))
        .isEqualTo("redis://cache:6379/2");
    assertThat(DevInfrastructure.withoutSecrets("jdbc:postgresql://db:5432/oc?user=a&password=b"))
        .isEqualTo("jdbc:postgresql://db:5432/oc");
  }
}
