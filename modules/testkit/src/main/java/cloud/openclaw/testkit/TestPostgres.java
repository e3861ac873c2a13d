package cloud.openclaw.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, empty PostgreSQL database for each test class. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final TestPostgres postgres = new TestPostgres();}</pre>
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {
  private TestDatabase database;

  @Override
  public void beforeAll(ExtensionContext context) {
    database =
        PostgresServer.shared().createDatabase(context.getRequiredTestClass().getSimpleName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (database != null) {
      database.drop();
    }
  }

  public TestDatabase database() {
    if (database == null) {
      throw new IllegalStateException("TestPostgres must be a static @RegisterExtension field");
    }
    return database;
  }

  public String jdbcUrl() {
    return database().jdbcUrl();
  }

  public String user() {
    return database().user();
  }

  public String password() {
    return database().password();
  }
}
