/**
 * Classification: what kind of failure an attempt ended in ({@link io.selfheal.classify.FailureClass}), decided by
 * HTTP status, SQLSTATE, vendor code or exception class ({@link io.selfheal.classify.ClassificationRules},
 * {@link io.selfheal.classify.BuiltInRules}) over the whole cause chain
 * ({@link io.selfheal.classify.FailureClassifier}).
 * <p>
 * Domain, Camel-free: imports the config kit and the JDK only. Exceptions of libraries and of other packages are
 * named by class name, never imported, so a rule for a library that is not on the classpath costs nothing.
 */
package io.selfheal.classify;
