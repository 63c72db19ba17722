/** JMH micro-benchmarks of Starling's hot paths. */
@NullMarked
package io.starling.jmh;

import org.jspecify.annotations.NullMarked;

