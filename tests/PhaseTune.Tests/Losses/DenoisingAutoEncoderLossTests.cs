using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Losses;

public class DenoisingAutoEncoderLossTests
{
    /// <summary>The loss projects only the decoder rows that have a real target, without padding the decoder's states
    /// back to (B, T); it must equal cross-entropy over every (position, next token) pair of the padded computation, and
    /// give the same gradients.</summary>
    [Fact]
    public void LossAndGradientsEqualCrossEntropyOverEveryRealTargetOfThePaddedDecoder()
    {
        manual_seed(5);
        var encoder = new SentenceEncoder(ToyModels.Encoder(2), PoolingMode.Cls);
        var dae = new DenoisingAutoEncoderLoss(encoder);
        dae.eval();
        var tok = ToyModels.Tokenizer;
        string[] clean = ["a short one", "a much longer sentence that needs padding in the other rows", "two words"];
        string[] noisy = ["short", "longer sentence padding rows", "words"];
        var batch = new DaeBatch(TokenBatch.Encode(tok, noisy, 32), TokenBatch.Encode(tok, clean, 32));
        Assert.True(batch.Clean.Mask.sum().item<long>() < batch.Clean.Mask.numel());   // there is padding to skip

        var loss = dae.Forward(batch);
        loss.backward();
        var parameters = dae.parameters().Where(p => p.grad is not null).ToArray();   // the pooler takes no part
        var grads = parameters.Select(p => p.grad!.clone()).ToArray();
        foreach (var p in parameters) p.grad!.zero_();

        var memory = encoder.forward(batch.Noisy.Ids, batch.Noisy.Mask, batch.Noisy.Types).unsqueeze(1);
        long t = batch.Clean.Ids.shape[1];
        var states = dae.Decoder.forward(batch.Clean.Ids[.., ..(int)(t - 1)], batch.Clean.Mask[.., ..(int)(t - 1)], memory);
        var logp = dae.Decoder.Logits(states).log_softmax(-1);                       // (B, T-1, V)
        var target = batch.Clean.Ids[.., 1..];
        var real = batch.Clean.Mask[.., 1..];
        Tensor sum = zeros(1);
        long count = 0;
        for (int b = 0; b < target.shape[0]; b++)
            for (int k = 0; k < target.shape[1]; k++)
                if (real[b, k].item<long>() == 1) { sum = sum - logp[b, k, target[b, k].item<long>()]; count++; }
        Assert.Equal(clean.Sum(s => tok.Encode(s, maxLength: 32).Length - 1), count);
        var reference = sum / count;
        Assert.Equal(reference.item<float>(), loss.item<float>(), 5);
        reference.backward();
        for (int i = 0; i < parameters.Length; i++)
            Assert.True(grads[i].allclose(parameters[i].grad!, rtol: 1e-4, atol: 1e-6), $"gradient {i} differs");
    }
}
