package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link WriteBudget}: --maxWritesPerSecond and GCS's ramp-up rule. */
class WriteBudgetTest {
  private static long minutes(double m) {
    return (long) (m * TimeUnit.MINUTES.toNanos(1));
  }

  @Test
  void givenRampUp_whenTimePasses_thenStartsAt1000AndDoublesOnlyAtEachTwentyMinuteMark() {
    WriteBudget ramp = new WriteBudget(0, true);

    assertTrue(ramp.limited());
    assertEquals(1000, ramp.perSecond(0), 1e-9);
    assertEquals(1000, ramp.perSecond(minutes(19.99)), 1e-9, "never more than double within 20 minutes");
    assertEquals(2000, ramp.perSecond(minutes(20)), 1e-9);
    assertEquals(4000, ramp.perSecond(minutes(40)), 1e-9);
    assertEquals(8000, ramp.perSecond(minutes(61)), 1e-9);
  }

  @Test
  void givenRampUpUnderACap_whenTheRampPassesTheCap_thenTheCapHolds() {
    WriteBudget both = new WriteBudget(3000, true);

    assertEquals(1000, both.perSecond(0), 1e-9);
    assertEquals(2000, both.perSecond(minutes(20)), 1e-9);
    assertEquals(3000, both.perSecond(minutes(40)), 1e-9);
    assertEquals(3000, both.perSecond(minutes(24 * 60)), 1e-9, "a day later: still the cap, no overflow");
  }

  @Test
  void givenNoOptions_whenAsked_thenNoBudget() {
    WriteBudget none = new WriteBudget(0, false);

    assertFalse(none.limited());
    assertEquals(Double.POSITIVE_INFINITY, none.perSecond(minutes(5)));
    assertEquals(250, new WriteBudget(250, false).perSecond(minutes(500)), 1e-9);
  }
}
