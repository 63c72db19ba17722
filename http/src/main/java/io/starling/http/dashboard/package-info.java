/** The web dashboard's files: the single-page app in the jar and its WebJar charting library. */
@NullMarked
package io.starling.http.dashboard;

import org.jspecify.annotations.NullMarked;
