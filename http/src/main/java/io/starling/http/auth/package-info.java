/** Who may use the HTTP listener: HTTP Basic users from a password file, bearer tokens. */
@NullMarked
package io.starling.http.auth;

import org.jspecify.annotations.NullMarked;
