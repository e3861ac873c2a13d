package cloud.openclaw.sandbox.telegram;

/**
 * A bot of the stand-in: what {@code POST /telegram/_sandbox/bots} answers.
 *
 * @param id its user id, the digits before the colon of its token
 * @param token {@code <id>:<secret>}, the token a client puts in {@code /bot<token>/<method>}
 * @param username its username, without the @
 * @param firstName its display name
 */
public record Bot(long id, String token, String username, String firstName) {}
