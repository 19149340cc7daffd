package massfetch.sink;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Removes the {@code Expect: 100-continue} header that the AWS SDK puts on every {@code PutObject}
 * and {@code UploadPart}. For objects of tens of kilobytes it buys nothing and costs one round trip
 * per object (the body waits for the server's {@code 100 Continue}); and a server that answers
 * {@code 100 Continue} twice (moto) puts the SDK's Netty client out of step with the connection, so
 * puts fail or hang although the objects were stored. The SDK version Beam ships has no switch for
 * it (S3Configuration gained none), so the header is removed before signing. Runs after the SDK's
 * own interceptors, which is where client-configured interceptors go.
 */
public final class NoExpectContinue implements ExecutionInterceptor {
  static final String EXPECT = "Expect";

  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
    SdkHttpRequest request = context.httpRequest();
    if (request.firstMatchingHeader(EXPECT).isPresent()) {
      return request.toBuilder().removeHeader(EXPECT).build();
    }
    return request;
  }
}
