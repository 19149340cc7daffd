package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link AdaptiveLimit}: AIMD on answers, with time passed in so every step is deterministic. */
class AdaptiveLimitTest {
  private static final long MS = 1_000_000L;
  private static final long FAST = 20 * MS;

  @Test
  void givenPromptAnswers_whenInSlowStart_thenLimitGrowsByOnePerAnswerUpToTheCeiling() {
    AdaptiveLimit limit = new AdaptiveLimit(4, 16, 100, 0);

    for (int i = 0; i < 16; i++) {
      limit.onAnswer(false, FAST, i * MS);
    }
    assertEquals(32, limit.limit(), "one round trip of answers doubles the limit");

    for (int i = 0; i < 500; i++) {
      limit.onAnswer(false, FAST, (100 + i) * MS);
    }
    assertEquals(100, limit.limit(), "never above the ceiling");
  }

  @Test
  void givenBurstOf503s_whenAnswered_thenOneCutPerRoundTripNotOnePerAnswer() {
    AdaptiveLimit limit = new AdaptiveLimit(4, 64, 1000, 0);
    limit.onAnswer(false, FAST, 0);

    for (int i = 0; i < 50; i++) {
      limit.onAnswer(true, FAST, MS * 100 + i); // 50 overloads within microseconds
    }

    assertEquals(48, limit.limit(), "65 × 0.75 = 48: one decrease for the whole burst");
  }

  @Test
  void givenOverloadAfterSlowStart_whenAnswersPrompt_thenGrowthIsAboutOnePerRoundTrip() {
    AdaptiveLimit limit = new AdaptiveLimit(4, 40, 1000, 0);
    limit.onAnswer(true, FAST, 0);
    int afterCut = limit.limit();

    for (int i = 0; i < afterCut + 2; i++) { // 1/limit each: a little over +1 in all
      limit.onAnswer(false, FAST, (100 + i) * MS);
    }

    assertEquals(afterCut + 1, limit.limit(), "congestion avoidance: +1 per limit's worth of answers");
  }

  @Test
  void givenLatencyRisingToMoreThanTwiceTheBaseline_whenAnswered_thenLimitIsCut() {
    AdaptiveLimit limit = new AdaptiveLimit(4, 64, 1000, 0);
    for (int i = 0; i < 10; i++) {
      limit.onAnswer(false, 100 * MS, i * MS);
    }
    int before = limit.limit();

    limit.onAnswer(false, 2_000 * MS, 500 * MS); // one slow image: not a trend
    assertTrue(limit.limit() > before, "one slow answer does not cut: " + before + " -> " + limit.limit());
    int peak = limit.limit();
    for (int i = 0; i < 40; i++) {
      limit.onAnswer(false, 300 * MS, (600 + i) * MS); // every answer > 2 × 100 ms + 20 ms: queueing
    }

    assertTrue(limit.limit() < peak, peak + " -> " + limit.limit());
  }

  @Test
  void givenOverloadsForever_whenAnswered_thenNeverBelowTheFloor() {
    AdaptiveLimit limit = new AdaptiveLimit(4, 64, 1000, 0);

    for (int i = 0; i < 100; i++) {
      limit.onAnswer(true, FAST, i * 1000 * MS);
    }

    assertEquals(4, limit.limit());
  }
}
