package massfetch.results;

/** A results line that is not a {@link ResultRecord}; the message is the reason, for a result's detail. */
public final class MalformedResultException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedResultException(String reason) {
    super(reason, null, false, false);
  }
}
