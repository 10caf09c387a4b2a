package io.selfheal.camel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamNamesTest {
    @Test
    void namesComeFromTheEndpoint() {
        assertThat(UpstreamNames.fromEndpointUri("http://inventory.example.com:8080/items?x=1")).isEqualTo("inventory.example.com");
        assertThat(UpstreamNames.fromEndpointUri("https://user:secret@api.example.com/v1")).isEqualTo("api.example.com");
        assertThat(UpstreamNames.fromEndpointUri("http:inventory/items")).isEqualTo("inventory");
        assertThat(UpstreamNames.fromEndpointUri("jdbc:ordersDb?useHeadersAsParameters=true")).isEqualTo("ordersDb");
        assertThat(UpstreamNames.fromEndpointUri("sql:select 1?dataSource=#ordersDb")).isEqualTo("ordersDb");
        assertThat(UpstreamNames.fromEndpointUri("sql://MERGE%20INTO%20t?dataSource=%23demoDb")).isEqualTo("demoDb");
        assertThat(UpstreamNames.fromEndpointUri("kafka:orders?brokers=x")).isEqualTo("kafka:orders");
    }
}
