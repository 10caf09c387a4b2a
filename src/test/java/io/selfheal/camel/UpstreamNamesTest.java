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

    @Test
    void aNameNeverCarriesTheCredentialsOfTheEndpoint() {
        // the endpoint itself is the name for other components: without user:password@ (it is a log field and a label)
        assertThat(UpstreamNames.fromEndpointUri("ftp://bob:s3cret@files.example.com/in?password=x"))
                .isEqualTo("ftp://files.example.com/in");
        assertThat(UpstreamNames.fromEndpointUri("sftp://bob@files.example.com:22/in")).isEqualTo("sftp://files.example.com:22/in");
        assertThat(UpstreamNames.fromEndpointUri("smtps://alice:pw@mail.example.com")).isEqualTo("smtps://mail.example.com");
        assertThat(UpstreamNames.fromEndpointUri("seda:orders@eu")).isEqualTo("seda:orders@eu");
        assertThat(UpstreamNames.fromEndpointUri("file:/data/in")).isEqualTo("file:/data/in");
    }
}
