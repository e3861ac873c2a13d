package cloud.openclaw.platform.domain;

/**
 * An enum stored as the lowercase text of its constant name, as the schema's CHECK constraints
 * spell it.
 */
public interface DbEnum {

  /** The text stored in the database. */
  String dbValue();

  /**
   * The constant of {@code type} stored as {@code value}; a value the code does not know is a bug.
   */
  static <E extends Enum<E> & DbEnum> E fromDb(Class<E> type, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.dbValue().equals(value)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(
        "'" + value + "' is not a " + type.getSimpleName() + " the platform knows");
  }
}
