package cloud.openclaw.testkit;

/** A database of its own for one test class (or one benchmark run); dropped by {@link #drop()}. */
public record TestDatabase(
    PostgresServer server, String name, String jdbcUrl, String user, String password) {

  public void drop() {
    server.dropDatabase(name);
  }
}
