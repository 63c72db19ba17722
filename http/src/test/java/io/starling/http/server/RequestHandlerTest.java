package io.starling.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestHandlerTest {
    @Test
    @DisplayName("each path segment is decoded on its own: %2F stays inside its segment and + stays a plus sign")
    void segmentsDecodedOneByOne() {
        assertThat(RequestHandler.segments("/api/v1/retained/a%2Fb%2F%2B%2F%23")).containsExactly("api", "v1", "retained", "a/b/+/#");
        assertThat(RequestHandler.segments("/api/v1/clients/a+b%20c")).containsExactly("api", "v1", "clients", "a+b c");
        assertThat(RequestHandler.segments("/api/v1/retained/%2Fleading%2F%2Fempty")).containsExactly("api", "v1", "retained", "/leading//empty");
        assertThat(RequestHandler.segments("/api/v1/clients/gr%C3%BC%C3%9Fe")).containsExactly("api", "v1", "clients", "grüße");
        assertThat(RequestHandler.segments("/")).isEmpty();
        assertThat(RequestHandler.segments("/clients/")).containsExactly("clients", "");
    }

    @Test
    @DisplayName("a malformed percent-encoding is a 400")
    void malformedEncoding() {
        assertThatThrownBy(() -> RequestHandler.segments("/api/v1/clients/%zz"))
                .isInstanceOf(HttpError.class).hasMessage("malformed percent-encoding in the path");
    }
}
