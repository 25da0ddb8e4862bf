package io.janus.engine.core.expr;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * The expression language of {@code where} and {@code of}: Apache Commons JEXL 3, restricted
 * permissions, no side effects (no assignments, loops, lambdas or new objects). Variables are the
 * source's fields; nested fields use dots ({@code device.os == 'ios'}).
 */
public final class Expressions {
  private static final Pattern IDENTIFIER =
      Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$");

  private static final JexlFeatures FEATURES =
      new JexlFeatures()
          .sideEffect(false)
          .sideEffectGlobal(false)
          .loops(false)
          .lambda(false)
          .newInstance(false)
          .script(false)
          .pragma(false)
          .annotation(false)
          .methodCall(false);

  private static final JexlEngine ENGINE =
      new JexlBuilder()
          .features(FEATURES)
          .permissions(JexlPermissions.RESTRICTED)
          .strict(false)
          .arithmetic(new CheckedArithmetic())
          .safe(true)
          .silent(false)
          .cache(256)
          .create();

  private Expressions() {}

  /**
   * JEXL's lenient arithmetic (a null operand counts as 0), except that dividing by zero, or by a
   * null, is an error instead of JEXL's silent 0: the event then goes to dead letters with the
   * expression and the reason, rather than counting a made-up value.
   */
  static final class CheckedArithmetic extends org.apache.commons.jexl3.JexlArithmetic {
    CheckedArithmetic() {
      super(false);
    }

    private CheckedArithmetic(boolean strict, java.math.MathContext context, int scale) {
      super(strict, context, scale);
    }

    /** JEXL derives an arithmetic per evaluation's options: keep the check in it. */
    @Override
    protected org.apache.commons.jexl3.JexlArithmetic createWithOptions(
        boolean strict, java.math.MathContext context, int scale) {
      return new CheckedArithmetic(strict, context, scale);
    }

    @Override
    public Object divide(Object left, Object right) {
      requireDivisor(right);
      return super.divide(left, right);
    }

    @Override
    public Object mod(Object left, Object right) {
      requireDivisor(right);
      return super.mod(left, right);
    }

    // Not an ArithmeticException: JEXL's interpreter turns those into 0 in lenient mode.
    private void requireDivisor(Object right) {
      if (right == null) throw new EvaluationError("division by null");
      if (right instanceof Number n && n.doubleValue() == 0)
        throw new EvaluationError("division by zero");
    }
  }

  /** An expression that cannot give a value for an event (e.g. a division by zero). */
  public static final class EvaluationError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvaluationError(String message) {
      super(message);
    }
  }

  /** True when the text is just a (dotted) field name, which is read directly without JEXL. */
  public static boolean isFieldReference(String text) {
    return IDENTIFIER.matcher(text.trim()).matches()
        && !text.trim().equals("true")
        && !text.trim().equals("false")
        && !text.trim().equals("null");
  }

  /** Compiles an expression; throws {@link IllegalArgumentException} with JEXL's reason. */
  public static JexlExpression compile(String text) {
    try {
      return ENGINE.createExpression(text);
    } catch (JexlException e) {
      throw new IllegalArgumentException("invalid expression '" + text + "': " + reason(e));
    }
  }

  /** The dotted variable names an expression reads. */
  public static Set<String> variables(String text) {
    try {
      Set<String> out = new LinkedHashSet<>();
      for (List<String> v : ENGINE.createScript(text).getVariables()) {
        out.add(String.join(".", v));
      }
      return out;
    } catch (JexlException e) {
      throw new IllegalArgumentException("invalid expression '" + text + "': " + reason(e));
    }
  }

  private static String reason(JexlException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }
}
