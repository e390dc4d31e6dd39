import Testing
@testable import FERTensor

@Suite struct TensorStorageTests {
    @Test func copiesShareStorageUntilMutated() {
        let original = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        copy[0, 1] = 9
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(copy.scalars == [1, 9, 3, 4])
    }

    @Test func storageIsSixtyFourByteAligned() {
        for count in [1, 3, 17, 1000] {
            let tensor = Tensor.zeros([count])
            tensor.withUnsafeBufferPointer { buffer in
                #expect(Int(bitPattern: buffer.baseAddress!) % 64 == 0)
            }
        }
    }

    @Test func reshapedInfersOneAxisAndKeepsOrder() {
        let tensor = Tensor.arange(to: 12).reshaped([3, -1])
        #expect(tensor.shape == [3, 4])
        #expect(tensor[2, 1] == 9)
    }

    @Test func rankZeroHoldsOneScalar() {
        let scalar = Tensor(2.5)
        #expect(scalar.shape == [])
        #expect(scalar.count == 1)
        #expect(scalar.item == 2.5)
    }
}
