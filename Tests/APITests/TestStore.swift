// Test support: a StateStore in a fresh temporary folder, and a request environment over it.
import API
import Foundation
import Registry
import Store
import TestFolders

func temporaryStateStore() throws -> StateStore {
    let folder = try TestFolders.make("gravity-apitests")
    return try StateStore(path: folder.appendingPathComponent("state.db").path)
}

func makeEnvironment(_ view: NodeView, store: StateStore? = nil, finalAttempt: Bool = false) throws -> RequestEnvironment {
    RequestEnvironment(node: view, store: try store ?? temporaryStateStore(), wallMilliseconds: 1_700_000_000_000,
                       newID: "adf4238a-882b-9ddc-4a9d-5b6758e4159e", finalAttempt: finalAttempt)
}
