/** JMH micro-benchmarks of Starling's hot paths. */
@NullUnmarked
package io.starling.jmh;

import org.jspecify.annotations.NullUnmarked;
