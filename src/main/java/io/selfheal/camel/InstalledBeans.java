package io.selfheal.camel;

import org.apache.camel.CamelContext;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Selfheal's beans per CamelContext, kept beside the context's registry: Camel 4 clears the registry's bound beans
 * when a context stops, so a context that is stopped and started again would otherwise lose Selfheal while its routes
 * still use it. A lookup that misses in the registry binds the bean again.
 */
public final class InstalledBeans {
    private static final Map<CamelContext, Map<String, Object>> BEANS = Collections.synchronizedMap(new WeakHashMap<>());

    private InstalledBeans() {
    }

    public static void bind(CamelContext context, String name, Object bean) {
        context.getRegistry().bind(name, bean);
        BEANS.computeIfAbsent(context, c -> Collections.synchronizedMap(new HashMap<>())).put(name, bean);
    }

    public static <T> T lookup(CamelContext context, String name, Class<T> type) {
        T found = context.getRegistry().lookupByNameAndType(name, type);
        if (found != null) {
            return found;
        }
        Map<String, Object> beans = BEANS.get(context);
        Object kept = beans == null ? null : beans.get(name);
        if (type.isInstance(kept)) {
            context.getRegistry().bind(name, kept);
            return type.cast(kept);
        }
        return null;
    }
}
