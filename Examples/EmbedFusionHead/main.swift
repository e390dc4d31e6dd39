// Embed the Fusion Attention Network head in your own program: give it the
// pooled features of two backbones (here: random stand-ins of ResNet18's and
// VGG's widths), train it briefly, and read class probabilities.
//
//   swift run -c release EmbedFusionHead
import FERFusion
import FERNN
import FERTensor

var generator = RandomGenerator(seed: 0)
let classNames = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]

// Features from your own backbones: 512 wide and 4096 wide. Each class has its
// own mean in both, so the head has something to learn.
let samples = 700
let labels = (0..<samples).map { $0 % 7 }
let firstMeans = Tensor.randomNormal([7, 512], using: &generator)
let secondMeans = Tensor.randomNormal([7, 4096], using: &generator)
let first = firstMeans.indexSelected(axis: 0, indices: labels) + Tensor.randomNormal([samples, 512], using: &generator) * 2
let second = secondMeans.indexSelected(axis: 0, indices: labels) + Tensor.randomNormal([samples, 4096], using: &generator) * 2

// The head projects the 4096-wide features to 512, then fuses with attention
// over 16 tokens per sample (so a prediction never depends on the batch).
let head = AttentionFusionHead(
    featureWidths: (512, 4096), classCount: 7, configuration: AttentionFusionConfiguration(scope: .perSample, tokens: 16),
    generator: &generator)
let optimizer = Adam(head.trainableParameters, learningRate: 1e-3)
print("attention fusion head: \(head.parameterCount) parameters")

head.train()
for epoch in 1...5 {
    var total: Float = 0
    for start in stride(from: 0, to: 600, by: 50) {
        let rows = Array(start..<(start + 50))
        let input = FusionInput(
            first: Variable(first.indexSelected(axis: 0, indices: rows)),
            second: Variable(second.indexSelected(axis: 0, indices: rows)))
        optimizer.zeroGradients()
        let loss = crossEntropy(logits: head(input), labels: rows.map { labels[$0] })
        loss.backward()
        optimizer.step()
        total += loss.value.item
    }
    print("epoch \(epoch): mean loss \(total / 12)")
}

// Probabilities for the 100 samples not trained on.
head.eval()
let heldOut = Array(600..<samples)
let probabilities = noGrad {
    head(FusionInput(
        first: Variable(first.indexSelected(axis: 0, indices: heldOut)),
        second: Variable(second.indexSelected(axis: 0, indices: heldOut)))).softmax(alongAxis: 1)
}.value
let predictions = probabilities.argmax(alongAxis: 1).scalars.map { Int($0) }
let correct = zip(predictions, heldOut).filter { $0 == labels[$1] }.count
print("held-out accuracy: \(correct)/\(heldOut.count); first sample: \(classNames[predictions[0]]) "
      + "with p = \(probabilities.sliced(axis: 0, range: 0..<1).max().item)")
