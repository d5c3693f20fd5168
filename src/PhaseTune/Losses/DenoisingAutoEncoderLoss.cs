using PhaseTune.Models;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>TSDAE (Wang, Reimers, Gurevych 2021, "TSDAE: Using Transformer-based Sequential Denoising
/// Auto-Encoder for Unsupervised Sentence Embedding Learning"): the encoder reads the damaged sentence and pools it
/// to one vector; the decoder must rebuild the clean sentence (inputs ids[:-1], targets ids[1:]) attending only to
/// that vector. Cross-entropy over the vocabulary, padding ignored.</summary>
public sealed class DenoisingAutoEncoderLoss : nn.Module, ILoss<DaeBatch>
{
    readonly SentenceEncoder encoder;
    readonly BertDecoder decoder;

    public DenoisingAutoEncoderLoss(SentenceEncoder encoder, bool tieDecoder = true) : base(nameof(DenoisingAutoEncoderLoss))
    {
        this.encoder = encoder;
        decoder = new BertDecoder(encoder.Encoder, tieDecoder);
        RegisterComponents();
    }

    public BertDecoder Decoder => decoder;

    public Tensor Forward(DaeBatch batch)
    {
        var n = batch.Noisy;
        var memory = encoder.forward(n.Ids, n.Mask, n.Types).unsqueeze(1);        // (B, 1, C)
        var clean = batch.Clean;
        long t = clean.Ids.shape[1];
        var input = clean.Ids[.., ..(int)(t - 1)];                               // (B, T-1)
        var inputMask = clean.Mask[.., ..(int)(t - 1)];
        var target = clean.Ids[.., 1..];                                         // (B, T-1)
        var states = decoder.forward(input, inputMask, memory);                  // (B, T-1, C)
        // project only positions with a real target: the vocabulary projection dominates the cost
        var keep = clean.Mask[.., 1..].reshape(-1).nonzero().squeeze(1);         // (N,)
        var logits = decoder.Logits(states.reshape(-1, states.shape[2]).index_select(0, keep));   // (N, V)
        return nn.functional.cross_entropy(Autocast.Float(logits), target.reshape(-1).index_select(0, keep));
    }
}
