/**
 * DEMO ONLY: the deliberately flaky inventory-service of the shipped demo ({@link io.selfheal.demo.FlakyUpstream})
 * and its one-screen summary ({@link io.selfheal.demo.DemoSummary}).
 * <p>
 * Beside {@code io.selfheal.camel} the only package that imports Apache Camel; it also uses the {@code camel} root
 * and {@code observe}. Nothing imports it.
 */
package io.selfheal.demo;
