package cloud.openclaw.platform.domain;

/** A proxy token just created: the only time its plaintext exists outside the box that uses it. */
public record IssuedToken(String token, ProxyToken proxyToken) {

  /** Never prints the token. */
  @Override
  public String toString() {
    return "IssuedToken[" + proxyToken + "]";
  }
}
