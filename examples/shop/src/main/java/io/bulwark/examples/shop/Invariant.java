package io.bulwark.examples.shop;

/**
 * One invariant of the shop's stores, checked at the end of a run.
 *
 * @param name what must hold, in words
 * @param holds whether it held
 * @param detail the figures it was judged on, or the first violations
 */
public record Invariant(String name, boolean holds, String detail) {}
