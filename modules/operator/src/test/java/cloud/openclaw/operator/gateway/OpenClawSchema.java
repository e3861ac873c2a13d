package cloud.openclaw.operator.gateway;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.regex.JoniRegularExpressionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The JSON schema of openclaw.json that {@code openclaw config schema} printed for the pinned
 * OpenClaw, from a test fixture (see src/test/resources/README.md).
 */
public final class OpenClawSchema {
  public static final String VERSION = "2026.9.6";
  public static final String FIXTURE = "/openclaw-" + VERSION + "-config-schema.json.gz";

  private static final String TEXT = load();
  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(
              SpecificationVersion.DRAFT_7,
              registry ->
                  registry.schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          // The schema's patterns are JavaScript regular expressions, some of
                          // which java.util.regex rejects.
                          .regularExpressionFactory(JoniRegularExpressionFactory.getInstance())
                          .formatAssertionsEnabled(true)
                          .build()))
          .getSchema(TEXT, InputFormat.JSON);

  private OpenClawSchema() {}

  /** The schema itself, as JSON text. */
  public static String text() {
    return TEXT;
  }

  /** What is wrong with this openclaw.json; empty when the gateway would accept it. */
  public static List<String> errors(String configJson) {
    return SCHEMA.validate(configJson, InputFormat.JSON).stream()
        .map(com.networknt.schema.Error::toString)
        .toList();
  }

  private static String load() {
    try (InputStream in = OpenClawSchema.class.getResourceAsStream(FIXTURE)) {
      if (in == null) {
        throw new IllegalStateException(FIXTURE + " is missing from the test classpath");
      }
      return new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
