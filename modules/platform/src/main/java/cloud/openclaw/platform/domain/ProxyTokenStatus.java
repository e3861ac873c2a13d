package cloud.openclaw.platform.domain;

import java.util.Locale;

/** Whether a proxy token is accepted (proxy_tokens.status); revoked is final. */
public enum ProxyTokenStatus implements DbEnum {
  ACTIVE,
  SUSPENDED,
  REVOKED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static ProxyTokenStatus fromDb(String value) {
    return DbEnum.fromDb(ProxyTokenStatus.class, value);
  }
}
