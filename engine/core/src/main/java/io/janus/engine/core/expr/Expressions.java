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
          .safe(true)
          .silent(false)
          .cache(256)
          .create();

  private Expressions() {}

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
