package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BodyBudget}: new requests wait while the bytes held are over the budget, in order. */
class BodyBudgetTest {
  @Test
  void givenBytesOverBudget_whenNewRequestsCome_thenTheyWaitUntilBytesAreGivenBack() {
    BodyBudget budget = new BodyBudget(1_000);
    List<String> sent = new ArrayList<>();

    budget.whenRoom(() -> sent.add("a"));
    budget.took(600);
    budget.whenRoom(() -> sent.add("b"));
    budget.took(600);
    budget.whenRoom(() -> sent.add("c"));
    budget.whenRoom(() -> sent.add("d"));

    assertEquals(List.of("a", "b"), sent, "over the budget: c and d wait");

    budget.gaveBack(600);

    assertEquals(List.of("a", "b", "c", "d"), sent, "back under it: both go, in order");
    assertEquals(600, budget.held());
  }
}
