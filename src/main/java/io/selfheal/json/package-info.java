/**
 * The one Jackson mapper for every JSON Selfheal reads or writes (alerts, parked headers, give-up records, API
 * answers), set up so what it writes stays byte for byte what stored records and receivers already hold.
 * <p>
 * Ground: imports Jackson and the JDK only, no other Selfheal package and no Camel.
 */
package io.selfheal.json;
