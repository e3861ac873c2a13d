package cloud.openclaw.platform.db;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Applies db/migrations (shipped in this jar as db/migration) with Flyway; forward only. */
public final class Migrations {
  private Migrations() {}

  /** Brings the schema up to date and returns how many migrations ran. */
  public static int apply(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .cleanDisabled(true)
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
